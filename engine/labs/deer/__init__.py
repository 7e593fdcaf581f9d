"""The DEER lab: the Elman RNN's whole trajectory found at once by Newton iterations (DEER and
quasi-DEER), measured against the step loop: the error per iteration, and the iterations it takes
against the sentence length n and against the recurrent scale."""
