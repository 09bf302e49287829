"""vlframe: config-driven vision-language and graph learning on mmengine."""
__version__ = '0.1.0'
