"""`alur web`: the office on the web, for the people of the roster on their phones.

Starlette with Jinja2 templates and htmx (one vendored file, served by the app), under
uvicorn. Like the CLI, it contains no rule of its own: each request parses its input,
calls one use case of the engine, and renders a page (``site.create_app`` wires it).

- ``site``: the routes of spec/web.md's URL map, ``create_app``;
- ``core``: what every request shares (workspace, Env of the web channel, templates);
- ``page``: one request (session, CSRF and origin checks, errors as pages);
- ``security``: the headers of every response, the size of request bodies;
- ``auth``, ``work``, ``steps``, ``runs``, ``documents``: the pages;
- ``statuses``, ``format``: errors and values in the words of the pages.
"""
