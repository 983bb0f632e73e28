"""Options: registry -> config file -> values -> cascade -> resolver -> the frozen model."""
