"""The image catalogue: which image names count as existing."""

from kworkshop.agent import images


def test_normalize_adds_latest_and_strips_docker_hub():
    assert images.normalize("docker/whalesay") == "docker/whalesay:latest"
    assert images.normalize("docker.io/library/nginx") == "nginx:latest"
    assert images.normalize("index.docker.io/williamyeh/boom:latest") == "williamyeh/boom:latest"
    assert images.normalize("gcr.io/google_containers/node-problem-detector:v0.1") == \
        "gcr.io/google_containers/node-problem-detector:v0.1"
    assert images.normalize("localhost:5000/app") == "localhost:5000/app:latest"


def test_spellings_cover_every_way_a_manifest_names_an_image():
    names = images.spellings("docker/whalesay")
    assert {"docker/whalesay", "docker/whalesay:latest", "docker.io/docker/whalesay"} <= set(names)
    assert "library/docker/whalesay" not in names
    assert {"nginx", "docker.io/library/nginx:latest", "library/nginx"} <= set(images.spellings("nginx"))
    assert images.spellings("gcr.io/x/y:v1") == ["gcr.io/x/y:v1"]
    tagged = images.spellings("jonbaier/pod-scaling:0.1")
    assert "jonbaier/pod-scaling" not in tagged  # no tag means :latest, which is not 0.1


def test_catalogue_has_the_chapter_images_but_not_the_broken_tag(monkeypatch):
    monkeypatch.delenv("KWORKSHOP_EXTRA_IMAGES", raising=False)
    cat = images.catalogue()
    for image in ("jonbaier/pod-scaling:0.1", "jonbaier/pod-scaling:0.2", "jonbaier/pod-scaling:0.3",
                  "docker/whalesay:latest", "williamyeh/boom:latest",
                  "gcr.io/google_containers/node-problem-detector:v0.1"):
        assert image in cat
    assert "jonbaier/pod-scaling:42.0" not in images.all_spellings(cat)


def test_catalogue_is_extended_by_argument_and_environment(monkeypatch):
    monkeypatch.setenv("KWORKSHOP_EXTRA_IMAGES", "example/one:1, example/two")
    cat = images.catalogue(["example/three:3"])
    assert {"example/one:1", "example/two:latest", "example/three:3"} <= set(cat)


def test_catalogue_has_the_e2e_suite_images_of_the_workload_tests(monkeypatch):
    # the tags `e2e.test --list-images` prints for Kubernetes v1.36.3 (benchmarks/conformance.py)
    monkeypatch.delenv("KWORKSHOP_EXTRA_IMAGES", raising=False)
    cat = images.catalogue()
    for image in ("registry.k8s.io/pause:3.10.2",
                  "registry.k8s.io/e2e-test-images/agnhost:2.55",
                  "registry.k8s.io/e2e-test-images/agnhost:2.63.0",
                  "registry.k8s.io/e2e-test-images/busybox:1.36.1-1",
                  "registry.k8s.io/e2e-test-images/busybox:1.37.0-1",
                  "registry.k8s.io/e2e-test-images/nginx:1.15-4",
                  "registry.k8s.io/e2e-test-images/nginx:1.27-0"):
        assert image in cat
    # the suite's private-registry image needs credentials a workshop node does not have
    assert "gcr.io/k8s-authenticated-test/agnhost:2.6" not in cat


def test_kworkshop_images_lists_the_catalogue_and_how_to_extend_it(monkeypatch, capsys):
    from kworkshop import cli

    monkeypatch.setenv("KWORKSHOP_EXTRA_IMAGES", "example.com/mine:2")
    monkeypatch.setenv("KWORKSHOP_LANG", "en")
    assert cli.main(["images"]) == 0
    out, err = capsys.readouterr()
    listed = out.split()
    assert "nginx:1.27-alpine" in listed and "jonbaier/pod-scaling:0.1" in listed and "example.com/mine:2" in listed
    assert "jonbaier/pod-scaling:42.0" not in listed and listed == sorted(listed)
    assert "--extra-image" in err and "ErrImagePull" in err
