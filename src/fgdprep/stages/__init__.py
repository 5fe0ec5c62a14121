"""Pipeline stages: typed functions on the transcript model. Stages never print or exit."""
