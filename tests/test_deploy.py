"""Several replicas behind HAProxy (``python -m playground.deploy``): real processes, real haproxy, real
``gradio_client`` visitors and a real Chromium page. Nothing is mocked.

The runner is started once for the module (2 replicas, each on one core when there are two); the tests then
check that visitors stick to their replica, that killing one replica with SIGKILL costs the other replica's
visitors nothing while newcomers are served and the dead replica's page says it restarted, that the runner
brings the replica back, and finally that SIGTERM leaves no process behind.

Tests that need Debian's ``haproxy`` skip without it locally, never in CI (``CI=true``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from playground import deploy, health, rooms
from playground.errors import UserInputError
from playground.load import error_kind, replica_of
from tests.conftest import IN_CI, ROOT, free_port

HAPROXY = shutil.which("haproxy")
COMPOSE_SERVERS = [("A", "app-a:7860"), ("B", "app-b:7860")]
COMPOSE_EXTRA = " resolvers docker init-addr last,libc,none"


@pytest.fixture(scope="module")
def haproxy():
    if HAPROXY is None:
        if IN_CI:
            pytest.fail("CI=true but haproxy is missing: README command (b) installs it")
        pytest.skip("Debian's haproxy is not installed (apt-get install haproxy); these tests run in CI")
    return HAPROXY


def haproxy_check(config: str, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "haproxy.cfg"
    path.write_text(config)
    shutil.copytree(deploy.CONFIG.parent / "errors", tmp_path / "errors", dirs_exist_ok=True)
    return subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True,
                          env={**os.environ, "PLAYGROUND_BIND": "127.0.0.1:8080"})


def test_the_committed_config_and_the_runners_render_pass_haproxys_check(haproxy, tmp_path):
    committed = haproxy_check(deploy.CONFIG.read_text(), tmp_path)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    rendered = deploy.render_config([("A", "127.0.0.1:7001"), ("B", "127.0.0.1:7002"), ("C", "127.0.0.1:7003")])
    checked = haproxy_check(rendered, tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "server replica-C 127.0.0.1:7003 cookie C check" in rendered
    assert "app-a" not in rendered  # compose's servers are replaced, the rest is the same file
    head = deploy.CONFIG.read_text().split(deploy.BEGIN)[0]
    assert rendered.startswith(head)


def test_with_no_replica_ready_the_balancer_answers_a_page_that_says_so_and_retries(haproxy, tmp_path):
    config = tmp_path / "haproxy.cfg"
    config.write_text(deploy.render_config([("A", f"127.0.0.1:{free_port()}")]))  # nothing listens there
    shutil.copytree(deploy.CONFIG.parent / "errors", tmp_path / "errors")
    port = free_port()
    balancer = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env={**os.environ, "PLAYGROUND_BIND": f"127.0.0.1:{port}"})
    try:
        def answer():
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()
            except OSError:
                return None
            return 200, ""

        wait_until(lambda: answer() is not None, 10, "haproxy listens")
        code, page = answer()
        assert code == 503 and "starting or restarting" in page and 'http-equiv="refresh"' in page
    finally:
        balancer.terminate()
        balancer.wait(timeout=10)


def test_compose_uses_the_same_servers_the_runner_would_write():
    committed = deploy.CONFIG.read_text()
    assert deploy.render_config(COMPOSE_SERVERS, committed).replace(
        deploy.servers_block(COMPOSE_SERVERS), deploy.servers_block(COMPOSE_SERVERS, COMPOSE_EXTRA)) == committed


def test_replicas_get_a_core_each_when_there_are_enough():
    assert deploy.pinning(2, [0, 1], pin=True) == [[0], [1]]
    assert deploy.pinning(3, [5], pin=True) == [[5], [5], [5]]  # forced: fewer cores than replicas
    assert deploy.pinning(2, [0, 1, 2, 3], pin=True) == [[0, 2], [1, 3]]
    assert deploy.pinning(2, None, pin=False) == [None, None]
    usable = sorted(os.sched_getaffinity(0))
    plan = deploy.pinning(len(usable), None, pin=True)
    assert sorted(core for cores in plan for core in cores) == usable  # each its own, all of them used
    assert deploy.pinning(len(usable) + 1, None, pin=True) == [None] * (len(usable) + 1)


def test_a_rooms_code_names_its_replica_and_another_replicas_code_says_where_to_go():
    on_b, on_a = rooms.Rooms("B"), rooms.Rooms("A")
    room = on_b.open("host", "mlp", outputs=1)
    assert room.code.startswith("B") and len(room.code) == rooms.CODE_LENGTH
    assert on_b.find(room.code.lower(), "mlp") is room
    with pytest.raises(UserInputError, match=r"another server.*\?room=" + room.code):
        on_a.find(room.code, "mlp")
    with pytest.raises(UserInputError, match="no open room"):
        on_a.find("A2345", "mlp")  # this replica's letter: simply not open
    with pytest.raises(UserInputError, match="no open room"):
        rooms.Rooms().find(room.code, "mlp")  # a process on its own has no other servers to point to


def test_two_processes_exporting_the_same_onnx_file_at_once_both_get_a_whole_file(tmp_path):
    """The export cache is shared by replicas: two real processes race to export the same graph."""
    script = (
        "import os, sys, time, logging, torch\n"
        "import playground.catalog\n"
        "from playground import registry\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "while not os.path.exists(sys.argv[1]): time.sleep(0.005)\n"
        "model = registry.get('mnist_cnn')\n"
        "x = torch.linspace(0, 1, 784).reshape(1, 1, 28, 28)\n"
        "out = [model(x) for _ in range(3)][-1]\n"
        "print('ENGINE', model.forward.last_engine, float(out.sum()))\n"
    )
    go = tmp_path / "go"
    cache = tmp_path / "cache"
    env = {**os.environ, "PLAYGROUND_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    racers = [subprocess.Popen([sys.executable, "-c", script, str(go)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    time.sleep(8)  # both have imported torch and the catalog and wait at the line
    go.touch()
    outputs = [racer.communicate(timeout=300)[0] for racer in racers]
    assert all(racer.returncode == 0 for racer in racers), outputs
    answers = [line.split()[1:] for output in outputs for line in output.splitlines() if line.startswith("ENGINE")]
    assert [engine for engine, _ in answers] == ["onnxruntime", "onnxruntime"], outputs
    assert answers[0][1] == answers[1][1]  # the same graph, the same answer
    assert len(list(cache.glob("mnist_cnn.*.onnx"))) == 1
    assert not list(cache.glob("*.tmp"))  # no half-written file left behind


# ---------------------------------------------------------------- the runner, for real


def readyz(port: int) -> bool:
    return deploy.replica_ready(port)


def identity(url: str, cookies: dict | None = None) -> dict:
    request = urllib.request.Request(url + "healthz")
    if cookies:
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def replica_of_a_newcomer(url: str) -> str:
    """Which replica the balancer gives a visitor without a cookie ("" while none is in rotation yet)."""
    try:
        return identity(url)["replica"]
    except OSError:
        return ""


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


@pytest.fixture(scope="module")
def runner(haproxy, tmp_path_factory):
    """``python -m playground.deploy --replicas 2`` on a free port, until every replica is ready."""
    workdir = tmp_path_factory.mktemp("deploy")
    state_file = workdir / "state.json"
    port = free_port()
    log = open(workdir / "runner.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "playground.deploy", "--replicas", "2", "--port", str(port),
         "--workdir", str(workdir), "--state", str(state_file)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(state_file.exists, 60, "the runner wrote its state")
        state = json.loads(state_file.read_text())
        wait_until(lambda: all(readyz(r["port"]) for r in state["replicas"]), 240, "both replicas ready")
        url = state["url"]
        wait_until(lambda: {replica_of_a_newcomer(url) for _ in range(6)} == {"A", "B"}, 30,
                   "the balancer sends new visitors to both replicas")
        yield {"process": process, "url": url, "state_file": state_file, "workdir": workdir}
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        log.close()


def state_of(runner) -> dict:
    return json.loads(runner["state_file"].read_text())


def visitors_on_each_replica(url: str, each: int) -> dict[str, list]:
    """gradio_client visitors through the balancer until each replica has ``each`` of them."""
    from gradio_client import Client

    by_replica: dict[str, list] = {"A": [], "B": []}
    for _ in range(8 * each):
        client = Client(url, verbose=False, download_files=False)
        by_replica[replica_of(client)].append(client)
        if all(len(clients) >= each for clients in by_replica.values()):
            return by_replica
    raise AssertionError(f"the balancer did not spread new visitors: {[len(c) for c in by_replica.values()]}")


MLP_PLAY = "/mlp_play"


def mlp_args() -> list:
    from playground.load_tasks import MLP

    return MLP.play_args()


def frames(job) -> int:
    from playground.load_tasks import MLP, is_training_frame

    return sum(is_training_frame(MLP, output) for output in job.outputs())


@pytest.mark.slow
def test_visitors_stick_to_their_replica_through_the_balancer(runner):
    url = runner["url"]
    by_replica = visitors_on_each_replica(url, each=2)
    for letter, clients in by_replica.items():
        for client in clients:
            for _ in range(3):  # every request of a visitor reaches the replica of their cookie
                assert identity(url, client.cookies)["replica"] == letter
            job = client.submit(*mlp_args(), api_name=MLP_PLAY)  # a live stream: Gradio's session and queue
            wait_until(lambda: frames(job) >= 3, 60, "MLP frames through the balancer")
            client.predict(api_name="/mlp_pause")
            wait_until(job.done, 30, "the stream ends after Pause")
            assert job.exception() is None


def viewer_epochs(job) -> int:
    """Frames of the host's training a room's viewer got (their status says the host's epoch)."""
    from playground.load_tasks import MLP

    return sum(isinstance(out[MLP.room_status_index], str) and "**Epoch" in out[MLP.room_status_index]
               for out in job.outputs())


@pytest.mark.slow
def test_a_rooms_link_takes_its_viewers_to_the_replica_that_hosts_it(runner):
    from gradio_client import Client

    url = runner["url"]
    by_replica = visitors_on_each_replica(url, each=1)
    host, elsewhere = by_replica["B"][0], by_replica["A"][0]
    info, code = host.predict(api_name="/mlp_room_open")
    assert code.startswith("B") and rooms.link(code) in info
    # Typed on the other replica, the code says where to go instead of "no such room".
    with pytest.raises(Exception, match="another server"):
        elsewhere.predict(code, api_name="/mlp_room_join")
    # Opened as a link by a visitor whose cookie names A, the page comes from B and the cookie moves to B.
    request = urllib.request.Request(f"{url}{rooms.link(code)}", headers={"Cookie": "PLAYGROUND_REPLICA=A"})
    with urllib.request.urlopen(request, timeout=30) as response:
        cookies = response.headers.get_all("Set-Cookie") or []
    assert any(c.startswith("PLAYGROUND_REPLICA=B;") for c in cookies), cookies
    viewer = Client(url, verbose=False, download_files=False, httpx_kwargs={"cookies": {"PLAYGROUND_REPLICA": "B"}})
    assert replica_of(viewer) == "B"
    watching = viewer.submit(code, api_name="/mlp_room_join")
    playing = host.submit(*mlp_args(), api_name=MLP_PLAY)
    wait_until(lambda: frames(playing) >= 3, 60, "the host's frames")
    wait_until(lambda: viewer_epochs(watching) >= 2, 60, "the viewer watches the host's run")
    host.predict(api_name="/mlp_pause")
    wait_until(watching.done, 60, "the room ends with the host's Stop")
    assert "has ended" in watching.outputs()[-1][-1]


@pytest.mark.slow
@pytest.mark.browser
def test_a_replica_killed_mid_run_costs_the_other_replicas_visitors_nothing(runner, browser):
    from gradio_client import Client

    url = runner["url"]
    killed = state_of(runner)["replicas"][0]  # A
    assert killed["letter"] == "A"
    by_replica = visitors_on_each_replica(url, each=2)
    # A page on the replica that will die, idle (no stream would tell it), opened with the link of a room there:
    # it says which room the link opens.
    code = by_replica["A"][0].predict(api_name="/mlp_room_open")[1]
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url + rooms.link(code))
    page.wait_for_selector(".tabs, [role=tablist]")
    page.get_by_text(f"Your link opens room {code}").wait_for()
    assert page.evaluate("async () => (await (await fetch('healthz')).json()).replica") == "A"

    jobs = {letter: [client.submit(*mlp_args(), api_name=MLP_PLAY) for client in clients]
            for letter, clients in by_replica.items()}
    wait_until(lambda: all(frames(job) >= 3 for group in jobs.values() for job in group), 90, "every stream runs")

    os.kill(killed["pid"], signal.SIGKILL)
    killed_at = time.monotonic()
    before = [frames(job) for job in jobs["B"]]

    newcomers: list[tuple[float, str, str]] = []  # (arrived s after the kill, replica, error)

    def newcomer(after: float) -> None:
        time.sleep(max(0.0, killed_at + after - time.monotonic()))
        try:
            client = Client(url, verbose=False, download_files=False)
            job = client.submit(*mlp_args(), api_name=MLP_PLAY)
            wait_until(lambda: frames(job) >= 1 or job.done(), 60, "a newcomer's first frame")
            client.predict(api_name="/mlp_pause")
            job.result(timeout=60)
            newcomers.append((after, replica_of(client), "" if frames(job) else "no frame"))
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            newcomers.append((after, "", f"{type(error).__name__}: {error}"))

    arrivals = [threading.Thread(target=newcomer, args=(after,)) for after in (0.3, 1.5, 3.0, 4.5)]
    for thread in arrivals:
        thread.start()

    # The dead replica's idle page says so plainly.
    banner = page.locator("#server-restarted")
    banner.wait_for(state="visible", timeout=30_000)
    assert health.RESTARTED_MESSAGE in banner.inner_text()

    # The other replica's visitors go on training meanwhile, and stop cleanly.
    wait_until(lambda: all(frames(job) > seen + 10 for job, seen in zip(jobs["B"], before)), 60,
               "the other replica's streams go on after the kill")
    for client, job in zip(by_replica["B"], jobs["B"]):
        client.predict(api_name="/mlp_pause")
        job.result(timeout=60)
        assert job.exception() is None
    # The dead replica's visitors lost their stream: a connection error or a lost session, said as such.
    wait_until(lambda: all(job.done() for job in jobs["A"]), 60, "the dead replica's streams end")
    kinds = {error_kind(f"{type(job.exception()).__name__}: {job.exception()}") for job in jobs["A"]}
    assert all(job.exception() is not None for job in jobs["A"]) and kinds <= {"connection", "lost session"}, [
        repr(job.exception()) for job in jobs["A"]]

    for thread in arrivals:
        thread.join(timeout=120)
    assert sorted(after for after, _, _ in newcomers) == [0.3, 1.5, 3.0, 4.5]
    assert all(not error for _, _, error in newcomers), newcomers  # served, whenever they came after the kill

    # Reload lands on a live replica: a page that works, with no notice.
    page.get_by_role("button", name="Reload").click()
    page.wait_for_selector(".tabs, [role=tablist]")
    assert page.evaluate("async () => (await (await fetch('healthz')).json()).replica") == "B"
    assert page.locator("#server-restarted").count() == 0
    context.close()

    # The runner starts A again; it rejoins the rotation by itself once ready.
    wait_until(lambda: state_of(runner)["replicas"][0]["starts"] == 2, 30, "the runner restarts the replica")
    restarted = state_of(runner)["replicas"][0]
    wait_until(lambda: readyz(restarted["port"]), 240, "the restarted replica is ready")
    wait_until(lambda: "A" in {replica_of_a_newcomer(url) for _ in range(6)}, 30, "new visitors reach A again")


@pytest.mark.slow
def test_sigterm_stops_every_replica_and_the_balancer(runner):
    state = state_of(runner)
    pids = [replica["pid"] for replica in state["replicas"]] + [state["haproxy_pid"]]
    runner["process"].send_signal(signal.SIGTERM)
    assert runner["process"].wait(timeout=60) == 0
    for pid in pids:  # each child led its own process group: nothing of it is left
        with pytest.raises(ProcessLookupError):
            os.killpg(pid, 0)
