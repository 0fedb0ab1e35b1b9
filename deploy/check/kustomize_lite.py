#!/usr/bin/env python3
"""A deliberately small `kustomize build`, for machines without kubectl or kustomize.

Supports exactly the features deploy/k8s uses, and refuses anything else:
  resources (files, or folders holding a kustomization.yaml), namespace, images (name, newName,
  newTag), and patches given by `path` (strategic merge onto the object with the same kind and name;
  maps merge recursively, lists of maps with a `name` key merge by name, other lists are replaced).
scripts/check-deploy.sh prefers the real tool and, when both exist, checks that this one agrees.

  kustomize_lite.py DIR    print the rendered objects as a YAML stream
"""
import os
import sys

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass"}


def load_stream(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]


def merge(base, patch):
    """Strategic merge, limited to what the overlays use."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    if (isinstance(base, list) and isinstance(patch, list) and base and patch
            and all(isinstance(x, dict) and "name" in x for x in base + patch)):
        out = list(base)
        for item in patch:
            idx = next((i for i, x in enumerate(out) if x["name"] == item["name"]), None)
            if idx is None:
                out.append(item)
            else:
                out[idx] = merge(out[idx], item)
        return out
    return patch


def split_image(image):
    """'repo/name:tag' -> ('repo/name', ':tag'); digests kept likewise."""
    if "@" in image:
        name, digest = image.split("@", 1)
        return name, "@" + digest
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], image[colon:]
    return image, ""


def set_images(node, images):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                for c in value:
                    name, suffix = split_image(c.get("image", ""))
                    for img in images:
                        if img["name"] == name:
                            c["image"] = img.get("newName", name) + (":" + img["newTag"] if "newTag" in img else suffix)
            else:
                set_images(value, images)
    elif isinstance(node, list):
        for value in node:
            set_images(value, images)


def build(folder):
    path = os.path.join(folder, "kustomization.yaml")
    with open(path) as f:
        k = yaml.safe_load(f)
    unknown = set(k) - SUPPORTED
    if unknown:
        sys.exit(f"kustomize_lite: {path}: unsupported field(s) {sorted(unknown)}; use real kustomize")
    objects = []
    for res in k.get("resources", []):
        target = os.path.normpath(os.path.join(folder, res))
        objects += build(target) if os.path.isdir(target) else load_stream(target)
    for p in k.get("patches", []):
        if set(p) != {"path"}:
            sys.exit(f"kustomize_lite: {path}: only `patches: - path:` is supported")
        for patch in load_stream(os.path.join(folder, p["path"])):
            key = (patch["kind"], patch["metadata"]["name"])
            hits = [i for i, o in enumerate(objects) if (o["kind"], o["metadata"]["name"]) == key]
            if len(hits) != 1:
                sys.exit(f"kustomize_lite: patch {p['path']}: {len(hits)} targets for {key}")
            objects[hits[0]] = merge(objects[hits[0]], patch)
    if "namespace" in k:
        for o in objects:
            if o["kind"] not in CLUSTER_SCOPED:
                o.setdefault("metadata", {})["namespace"] = k["namespace"]
    set_images(objects, k.get("images", []))
    return objects


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: kustomize_lite.py DIR")
    yaml.safe_dump_all(build(sys.argv[1]), sys.stdout, sort_keys=False)
