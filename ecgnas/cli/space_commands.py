"""``ecgnas space``: list, describe and sample the declared search spaces."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import numpy as np

from ecgnas.exceptions import ConfigError

# The commands import the space modules themselves: they load PyTorch and
# PyTorch Geometric, which take seconds, and `ecgnas --help` needs neither.
if TYPE_CHECKING:
    from ecgnas.spaces.declared_space import DeclaredSpace


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``space`` command group."""
    parser = subparsers.add_parser("space", help="list, describe and sample search spaces")
    commands = parser.add_subparsers(dest="space_command", metavar="COMMAND", required=True)

    listing = commands.add_parser("list", help="list the built-in search spaces")
    listing.set_defaults(run=run_list)

    show = commands.add_parser(
        "show", help="print a space's operations, limits, path count and estimated size"
    )
    show.add_argument("space", metavar="NAME|FILE", help="built-in space name or .yaml file")
    show.add_argument(
        "--estimate-samples",
        type=int,
        default=1000,
        help="random encodings per node count for the size estimate (default: 1000)",
    )
    show.add_argument("--seed", type=int, default=0, help="seed of the size estimate (default: 0)")
    show.set_defaults(run=run_show)

    sample = commands.add_parser("sample", help="print random architectures with hash, parameters and MACs")
    sample.add_argument("space", metavar="NAME|FILE", help="built-in space name or .yaml file")
    sample.add_argument("--n", type=int, default=5, help="number of architectures (default: 5)")
    sample.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    sample.set_defaults(run=run_sample)


def run_list(args: argparse.Namespace) -> int:
    from ecgnas.spaces.catalog import available_spaces

    spaces = available_spaces()
    if not spaces:
        print("No built-in search spaces found.")
        return 0
    width = max(len(name) for name in spaces)
    for name, path in spaces.items():
        print(f"{name:<{width}}  {path}")
    return 0


def describe(space: DeclaredSpace, estimate_samples: int, seed: int) -> str:
    """Return the text that ``ecgnas space show`` prints."""
    from ecgnas.spaces.counting import count_paths, estimate_cell_count
    from ecgnas.spaces.encodings import path_layout

    declaration = space.declaration
    lines = [f"Search space {space.name} ({declaration.source}), hash {space.space_hash}"]
    if declaration.description:
        lines.append(declaration.description)
    lines += ["", "Operations:"]
    width = max(len(op.name) for op in declaration.operations)
    for op in declaration.operations:
        params = ", ".join(f"{key}={value}" for key, value in op.params)
        lines.append(f"  {op.name:<{width}}  {op.type}" + (f" ({params})" if params else ""))

    lines += [
        "",
        f"Cell limits: at most {space.max_nodes} nodes (input and output included) and "
        f"{space.max_edges} edges after pruning",
    ]
    if space.global_choices:
        lines.append("Global choices:")
        for choice in space.global_choices:
            lines.append(f"  {choice.name}: {', '.join(map(str, choice.values))}")

    if declaration.input is not None and declaration.macro is not None:
        signal, macro = declaration.input, declaration.macro
        # Values fixed in the macro section instead of chosen per architecture.
        fixed = []
        if macro.stem_width is not None:
            fixed.append(f"stem width {macro.stem_width}")
        if macro.cells_per_stack is not None:
            fixed.append(f"cells per stack {macro.cells_per_stack}")
        if macro.input_pool not in (None, 1):
            fixed.append(f"input average pool {macro.input_pool}")
        fixed_text = "".join(f"{item}, " for item in fixed)
        lines += [
            "",
            f"Input: {signal.samples} samples at {signal.sampling_rate_hz:g} Hz "
            f"({signal.samples / signal.sampling_rate_hz:.3g} s), {signal.rr_features} RR "
            f"features, {signal.classes} classes",
            f"Macro: {fixed_text}stem kernel {macro.stem_kernel_size}, {macro.stacks} stacks, "
            f"{macro.downsample.type} downsampling (kernel {macro.downsample.kernel_size}, "
            f"stride {macro.downsample.stride}) with width x{macro.width_multiplier}, head "
            f"hidden units {macro.head.hidden_units}, dropout {macro.head.dropout:g}",
        ]

    paths = count_paths(space)
    exact, size = path_layout(len(space.operations), space.max_path_length, space.max_path_features)
    encoding = (
        f"one entry per path ({size} entries)"
        if exact == size
        else f"{size} entries: {exact} for the shortest paths, {size - exact} hashed for the rest"
    )
    estimate = estimate_cell_count(space, seed, estimate_samples)
    lines += [
        "",
        f"Possible paths: {paths:,} (up to {space.max_path_length} intermediate nodes); "
        f"path encoding: {encoding}",
        f"Distinct cells: about {estimate.cells:,.0f} (standard error {estimate.standard_error:,.0f})",
    ]
    if space.global_choices:
        lines.append(f"Distinct architectures with global choices: about {estimate.architectures:,.0f}")
    lines.append(f"Method: {estimate.method}")
    return "\n".join(lines)


def run_show(args: argparse.Namespace) -> int:
    if args.estimate_samples < 2:
        raise ConfigError(
            f"--estimate-samples is {args.estimate_samples}; use at least 2 so that a standard "
            "error can be computed"
        )
    from ecgnas.spaces.catalog import load_space

    print(describe(load_space(args.space), args.estimate_samples, args.seed))
    return 0


def run_sample(args: argparse.Namespace) -> int:
    if args.n < 1:
        raise ConfigError(f"--n is {args.n}; ask for at least 1 architecture")
    from ecgnas.spaces.catalog import load_space

    space = load_space(args.space)
    buildable = space.declaration.macro is not None
    if buildable:
        # Imported here because torch's model modules are slow to import and only
        # buildable spaces need them.
        from ecgnas.spaces.cost import count_macs, count_parameters
        from ecgnas.spaces.model import build_model

    rng = np.random.default_rng(args.seed)
    header = f"{'#':>3}  {'hash':<32}  {'params':>10}  {'MACs/beat':>13}  architecture"
    print(header)
    print("-" * len(header))
    for index in range(args.n):
        arch = space.sample(rng)
        params = macs = "-"
        if buildable:
            model = build_model(arch, space)
            signal = space.model_input
            params = f"{count_parameters(model):,}"
            macs = f"{count_macs(model, signal.samples, signal.rr_features):,}"
        print(f"{index:>3}  {arch.fingerprint:<32}  {params:>10}  {macs:>13}  {arch.to_string()}")
    return 0
