"""The /data/<model> resources of the assets app."""
