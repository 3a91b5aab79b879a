"""The /data/<model> resources of the productions app."""
