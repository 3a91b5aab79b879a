"""The /data/<model> resources of the tasks app."""
