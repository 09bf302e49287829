from setuptools import find_packages, setup


def version():
    namespace = {}
    with open('vlframe/__init__.py') as f:
        exec(f.read(), namespace)
    return namespace['__version__']


setup(
    name='vlframe',
    version=version(),
    description='Config-driven vision-language and graph learning on '
    'mmengine (OpenMMLab 2.0 style)',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(exclude=('configs', 'tools', 'tests', 'demo')),
    python_requires='>=3.9',
    # compatible ranges; requirements.txt pins the exact versions CI uses
    install_requires=[
        # >=2.6: weights_only loading by default, add_safe_globals
        'torch>=2.6',
        'torchvision>=0.21',
        'mmengine>=0.10.7,<0.11',
        'mmcv-lite>=2.2,<2.3',
        'torch_geometric>=2.8,<2.9',
        'transformers>=5,<6',
        'pycocotools>=2.0',
        'numpy',
        'opencv-python-headless',
        'matplotlib',
        'scipy',
        'h5py',
    ],
    extras_require={'tests': ['pytest>=7']},
    license='Apache License 2.0',
)
