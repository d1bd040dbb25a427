"""The web application, JSON API, command line and documents around the domain."""
