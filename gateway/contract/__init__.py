"""What the gateway promises the other parts of IMS: the paths of its web pages (links.py), so a
message that links to a page links to one that exists."""
