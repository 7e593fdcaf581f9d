"""The models the app compares, in torch: recurrent cells and their step-by-step loop, and
self-attention as one matrix operation, and the set of weights they run on."""
