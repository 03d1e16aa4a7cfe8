"""A neural-network playground in the browser that trains real nnscratch networks.

``nnscratch playground [--port 8000]`` serves the page on 127.0.0.1 (see :mod:`.server`).
The pieces: :mod:`.data` (the toy data sets and input features), :mod:`.settings` (what a
request may ask for), :mod:`.session` (one tab's network, trained in bounded steps),
:mod:`.code` (the equivalent script) and ``static/`` (the page: plain HTML, CSS and JS).
"""
