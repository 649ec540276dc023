#!/usr/bin/env python3
"""A failure mode of the catalogue reproduced from Python, and its figures read back.

`cd_bias`: contrastive divergence's expected update is not the likelihood gradient. On an RBM
small enough to enumerate, the study computes E[CD-k] exactly and compares it with the exact
gradient at several k and weight scales. This prints the signature's verdict, each check of its
criterion, and the relative bias |E[CD-k] - grad| / |grad| by k at each weight scale.

    scripts/python examples/python/reproduce_failure.py [--name cd_bias] [--full] [--out DIR]
"""
import argparse
import json

import ebm


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--name", default="cd_bias", help="a failure mode: one of " +
                   ", ".join(entry["name"] for entry in ebm.catalogue()))
    p.add_argument("--full", action="store_true", help="the full study instead of its quick form")
    p.add_argument("--out", help="a new output directory (default runs/reproduce/NAME[-quick])")
    a = p.parse_args()

    signature = ebm.reproduce(a.name, quick=not a.full, out=a.out)
    print("{}: {}".format(signature["name"], "REPRODUCED" if signature["reproduced"] else "NOT reproduced"))
    print(signature["headline"])
    for check in signature["checks"]:
        print("  [{}] {}".format("x" if check["holds"] else " ", check["words"]))
    if a.name == "cd_bias":
        print("relative bias of E[CD-k] by k:")
        for scale, by_k in signature["figures"]["exact_relative_bias"].items():
            print("  {:<10} ".format(scale) + "  ".join("k={} {:.3g}".format(k, v) for k, v in by_k.items()))
    else:
        print(json.dumps(signature["figures"], indent=2)[:2000])


if __name__ == "__main__":
    main()
