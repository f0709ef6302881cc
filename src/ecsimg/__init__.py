"""ecsimg: a keyboard-driven terminal console for Alibaba Cloud ECS images."""

__version__ = "0.1.0"
