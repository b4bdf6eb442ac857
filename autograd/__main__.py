"""Command line: ``python -m autograd draw EXPRESSION NAME=NUMBER... [-o FILE]``.

Evaluates the expression with the safe parser (``autograd.parse``), runs backward, prints
the value and each input's gradient, and writes the graph (.svg .png .pdf .dot, or .html for
the backprop explorer). Exit status: 0 done, 2 bad expression or arguments, 1 math or
rendering error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._version import __version__
from .engine import Value
from .html import to_html
from .parse import FUNCTIONS, ExpressionError, bind, evaluate
from .render import check_options, render
from .rundot import RenderError

_HERE = "\0expression"  # stands in for the expression after '--' (argv never holds a NUL)
EXAMPLE = 'python -m autograd draw "log(1/(exp(-(x*w+b))+1))" x=2 w=-3 b=6 -o graph.svg'


def _parser() -> argparse.ArgumentParser:
    summary = (__doc__ or "").split("\n")[0].replace("``", "")
    parser = argparse.ArgumentParser(prog="python -m autograd", description=summary)
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)
    draw = commands.add_parser(
        "draw", help="evaluate an expression, print gradients, draw its graph",
        description="Evaluate EXPRESSION at the inputs, run backward, print the value and\n"
        "each input's gradient, and write the graph to --output.",
        epilog=f"example:\n  {EXAMPLE}\n\nfunctions: {' '.join(FUNCTIONS)}\n"
        "  (leaky_relu(x, slope), elu(x, alpha), max(x, y, ...), min(x, y, ...));\n"
        "  an expression starting with '-' goes right after '--' (options may follow it).\n"
        "exit status: 2 bad expression or input, 1 math or rendering error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    draw.add_argument("expression", help="e.g. 'tanh(x*w + b)': numbers, inputs, + - * / **")
    draw.add_argument("inputs", nargs="*", metavar="NAME=NUMBER", help="the inputs' values")
    draw.add_argument("-o", "--output", help="picture to write: .svg .png .pdf .dot or .html")
    draw.add_argument("--rankdir", choices=("LR", "TB"), default="LR",
                      help="layout direction: left to right (default) or top to bottom")
    draw.add_argument("--precision", type=int, default=4, help="digits after the point (4)")
    draw.add_argument("--max-nodes", type=int, default=500, help="node limit of the drawing")
    draw.add_argument("--no-grad", dest="show_grad", action="store_false",
                      help="leave gradients out of the picture")
    return parser


def _draw(args: argparse.Namespace) -> int:
    try:
        check_options(args.rankdir, args.precision, args.max_nodes)  # with -o or without
    except ValueError as e:
        return _fail(str(e), 2)
    try:
        inputs = bind(args.inputs)
        root = evaluate(args.expression, inputs)
    except ExpressionError as e:
        return _fail(str(e), 2)
    except (ArithmeticError, ValueError, TypeError) as e:  # the engine's domain errors
        return _fail(str(e), 1)
    if root.parents and not root.label:
        root.label = _output_name(inputs)
    root.backward()
    out = root.label
    print(f"{out} = {root.data:.12g}")
    for name, leaf in inputs.items():
        print(f"d{out}/d{name} = {leaf.grad:.12g}")
    return _write(root, args) if args.output else 0


def _output_name(inputs: dict[str, Value]) -> str:
    """``L``, or ``L1``, ``L2``... if an input is already named that."""
    return next(name for i in range(len(inputs) + 1)
                if (name := f"L{i or ''}") not in inputs)


def _write(root: Value, args: argparse.Namespace) -> int:
    options = {"rankdir": args.rankdir, "precision": args.precision,
               "show_grad": args.show_grad, "max_nodes": args.max_nodes}
    try:
        if args.output.lower().endswith(".html"):
            options.pop("show_grad")  # the explorer always fills in gradients
            written = to_html(root, args.output, **options)
        else:
            written = render(root, args.output, **options)
    except ValueError as e:  # a bad option or suffix
        return _fail(str(e), 2)
    except (RenderError, OSError) as e:
        return _fail(str(e), 1)
    print(f"wrote {written}")
    return 0


def _fail(message: str, status: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    expression = None
    if "--" in argv[:-1]:  # only the expression after '--' is positional: options may follow
        i = argv.index("--")
        expression, argv[i:i + 2] = argv[i + 1], [_HERE]
    args = _parser().parse_args(argv)
    if expression is not None:
        given = [args.expression, *args.inputs]
        given.remove(_HERE)
        args.expression, args.inputs = expression, given
    return _draw(args)


if __name__ == "__main__":
    sys.exit(main())
