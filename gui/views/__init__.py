"""The views: the panels, the token strip, the transport bar, the parameter dock and the sentence
bar. Each views the shared Timeline and token selection (or edits the next run's settings); views
never call one another, and they import no lab."""
