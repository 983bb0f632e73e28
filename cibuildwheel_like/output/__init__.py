"""Writers for people and CI services: the console (rich or plain) and CI folds/summaries."""
