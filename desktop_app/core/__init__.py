"""The Qt-free core: models, the library facade and the rules they share."""
