"""Reading a content library: loaders per format, metadata, chunking, and the SQL catalog."""
