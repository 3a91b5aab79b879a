"""The /data/<model> resources of the shots app."""
