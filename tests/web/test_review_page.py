"""The review page's server side: reviewers and managers get it; an annotator is refused it (403) and sees no
link to it on the data manager or the labeling page; someone outside the project gets a 404."""

from __future__ import annotations

from tests.web.conftest import Person, World, signed_in


def test_the_review_page_is_for_staff(world: World, manager: Person) -> None:
    pid = world.project(manager)
    reviewer, annotator, outsider = (world.person(f"{n}@example.com") for n in ("rev", "ann", "out"))
    world.join(pid, reviewer, "reviewer")
    world.join(pid, annotator, "annotator")
    link = f'href="/projects/{pid}/review"'

    for person in (manager, reviewer):
        world.client.cookies.clear()
        signed_in(world.client, person.email)
        r = world.client.get(f"/projects/{pid}/review")
        assert r.status_code == 200 and 'src="/static/app/review.js"' in r.text
        assert link in world.client.get(f"/projects/{pid}").text
        assert link in world.client.get(f"/projects/{pid}/label").text

    world.client.cookies.clear()
    signed_in(world.client, annotator.email)
    r = world.client.get(f"/projects/{pid}/review")
    assert r.status_code == 403 and "review.js" not in r.text and "Only reviewers and managers review." in r.text
    assert link not in world.client.get(f"/projects/{pid}").text
    assert link not in world.client.get(f"/projects/{pid}/label").text

    world.client.cookies.clear()
    signed_in(world.client, outsider.email)
    assert world.client.get(f"/projects/{pid}/review").status_code == 404

    world.client.cookies.clear()
    r = world.client.get(f"/projects/{pid}/review", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/user/login"
