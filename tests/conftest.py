pytest_plugins = ["tests.fakes.pytest_plugin"]
