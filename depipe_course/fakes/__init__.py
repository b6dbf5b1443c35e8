"""Fakes that stand in for the network and the cloud, so the course runs offline."""
