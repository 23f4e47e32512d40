"""Reading /api/search/ answers in tests."""


def api(client, **params):
    response = client.get("/api/search/", params)
    assert response.status_code == 200, response.content
    return response.json()


def titles(data):
    return [r["title"] for r in data["results"]]


def facet(data, name):
    return {v["value"]: (v["count"], v["selected"]) for v in data["facets"].get(name, [])}
