import asyncio

from yishi.live import channels
from yishi.live.stream import _events


async def test_a_screen_gets_the_current_state_at_once_and_again_after_a_change(client):
    state = {"votes": 3}

    async def render() -> str:
        return f"<p>{state['votes']} votes</p>"

    topic = channels.topic_name("ballot", 1)
    events = _events(topic, render, "update")
    first = await anext(events)
    assert first.data == "<p>3 votes</p>"
    state["votes"] = 4
    channels.notify(topic)
    second = await asyncio.wait_for(anext(events), 2)
    assert second.data == "<p>4 votes</p>"
    await events.aclose()


async def test_a_burst_of_changes_becomes_one_refresh(client):
    renders = []

    async def render() -> str:
        renders.append(1)
        return f"<p>{len(renders)}</p>"

    topic = channels.topic_name("ballot", 2)
    events = _events(topic, render, "update")
    await anext(events)
    for _ in range(100):
        channels.notify(topic)
    await asyncio.wait_for(anext(events), 2)
    # The hundred changes were one publish, now sent: no other refresh is on its way.
    assert topic not in channels.waiting_topics()
    assert len(renders) == 2
    await events.aclose()


async def test_screens_of_different_views_on_one_topic_each_get_their_own_render(client):
    topic = channels.topic_name("actions", 3)

    def panel(name: str):
        async def render() -> str:
            return f"<p>{name}'s actions</p>"

        return render

    manager = _events(topic, panel("manager"), "update", "user:1")
    secretary = _events(topic, panel("secretary"), "update", "user:2")
    assert (await anext(manager)).data == "<p>manager's actions</p>"
    assert (await anext(secretary)).data == "<p>secretary's actions</p>"
    channels.notify(topic)
    assert (await asyncio.wait_for(anext(manager), 2)).data == "<p>manager's actions</p>"
    assert (await asyncio.wait_for(anext(secretary), 2)).data == "<p>secretary's actions</p>"
    await manager.aclose()
    await secretary.aclose()


async def test_screens_connecting_at_once_share_renders_and_none_sees_a_state_older_than_its_arrival(client):
    state = {"votes": 0}
    renders = []
    started, finish = asyncio.Event(), asyncio.Event()

    async def render() -> str:
        renders.append(state["votes"])
        started.set()
        await finish.wait()
        return f"<p>{state['votes']}</p>"

    topic = channels.topic_name("ballot", 9)
    early = [_events(topic, render, "update") for _ in range(50)]
    first = asyncio.gather(*(anext(events) for events in early))
    await started.wait()  # the first render is under way, having read 0 votes
    state["votes"] = 1
    late = [_events(topic, render, "update") for _ in range(50)]
    finish.set()
    seen_early, seen_late = await first, await asyncio.gather(*(anext(events) for events in late))
    assert len(renders) <= 3
    assert {m.data for m in seen_late} == {"<p>1</p>"}
    assert {m.data for m in seen_early} <= {"<p>0</p>", "<p>1</p>"}
    for events in early + late:
        await events.aclose()


async def test_an_app_stopping_right_after_a_change_stops_cleanly(app):
    """A change a moment before the app stops leaves a publish waiting; it is
    dropped with the channel instead of failing in the event loop."""
    loop = asyncio.get_running_loop()
    failures = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: failures.append(context))
    topic = channels.topic_name("ballot", 1)
    try:
        async with app.lifespan():
            channels.notify(topic)
            assert topic in channels.waiting_topics()
        # Stopping dropped the publish: nothing is left to fire into a stopped channel.
        assert channels.waiting_topics() == set()
    finally:
        loop.set_exception_handler(previous)
    assert failures == []
