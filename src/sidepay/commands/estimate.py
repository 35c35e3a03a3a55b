"""`sidepay estimate`: fit the model to the real or a simulated world, write the estimates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

STAGES = ("formation", "maintenance", "both")


def real_panel(mirror: Path | None = None) -> Any:
    """The real panel, built by :func:`sidepay.data.panel.build_panel` (all patrons, 1946-2020)."""
    from sidepay.config import data_context
    from sidepay.data.panel import build_panel

    return build_panel(context=data_context(mirror=mirror))


def simulated_panel(seed: int, reps: int = 2, periods: int = 75) -> tuple[Any, dict[str, float]]:
    """A panel of the default simulated world, and the world's true formation parameters.

    The simulated world knows sigma (``truth_sigma``) and has no CINC columns: they are set
    so that the capability share ``cinc_patron / (cinc_patron + cinc_client)`` equals it.
    Its threat is in model units, so the true tau is 1; v is reported as v x (mean x),
    since the estimator normalises x = 1.
    """
    import inspect

    from sidepay.estimate.mapping import group_label
    from sidepay.sim.engine import simulate
    from sidepay.sim.world import default_world

    world = default_world()
    kw = "periods" if "periods" in inspect.signature(simulate).parameters else "years"
    panel = simulate(world, **{kw: periods}, reps=reps, seed=seed).panel
    panel = panel.assign(cinc_patron=panel["truth_sigma"], cinc_client=1.0 - panel["truth_sigma"])
    prm = world.params
    truth: dict[str, float] = {"rho": prm.rho, "omega": prm.omega, "tau": 1.0, "beta": prm.beta}
    ks = {float(g.k) for g in world.great_powers}
    if len(ks) == 1:
        truth["k"] = ks.pop()
    vx = (
        (panel["truth_v"] * panel["truth_x"])
        .groupby([group_label(p, y) for p, y in zip(panel["patron"], panel["year"], strict=True)])
        .mean()
    )
    truth.update({f"v[{g}]": float(v) for g, v in vx.items()})
    return panel, truth


def estimate_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder (created or written into).")],
    world: Annotated[str, typer.Option("--world", help="real or simulated.")] = "real",
    stage: Annotated[
        str, typer.Option("--stage", help="formation, maintenance or both.")
    ] = "formation",
    seed: Annotated[str, typer.Option("--seed", help="Seed (>= 0) of the simulated world.")] = "1",
    payment: Annotated[
        str, typer.Option("--payment", help="Side-payment column (any float column).")
    ] = "side_payment",
    profile: Annotated[
        bool, typer.Option("--profile/--no-profile", help="Profile intervals of rho, omega, beta.")
    ] = True,
    mirror: Annotated[
        Path | None, typer.Option("--mirror", help="Folder laid out like the shared data mirror.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the estimates as JSON.")] = False,
) -> int:
    """Estimate the theory's parameters; write estimates.json and estimates.csv to OUT."""
    from sidepay.atomic import write_text_atomic
    from sidepay.errors import SidepayError
    from sidepay.options import parse_choice, parse_mirror, parse_seed
    from sidepay.outpaths import check_out_dir

    world = parse_choice(world, ("real", "simulated"), "world")
    stage = parse_choice(stage, STAGES, "stage")
    seed_n = parse_seed(seed)
    out_dir = check_out_dir(out, marker=None)
    mirror_p = parse_mirror(mirror) if world == "real" else None
    smm: Any = None
    if stage != "formation":
        try:
            from sidepay.estimate import smm as _smm

            smm = getattr(_smm, "fit_maintenance", None)
        except ImportError:
            smm = None
        if smm is None:
            raise SidepayError(
                "--stage maintenance: the maintenance-stage SMM "
                "(sidepay.estimate.smm.fit_maintenance) is not available yet"
            )
    from sidepay.estimate.formation import FormationModel

    truth: dict[str, float] | None = None
    if world == "real":
        panel = real_panel(mirror_p)
        model = FormationModel(payment)
    else:
        panel, truth = simulated_panel(seed_n)
        model = FormationModel(payment, transform="level")
    result: dict[str, Any] = {"world": world, "stage": stage, "seed": seed_n}
    if stage in ("formation", "both"):
        fit = model.fit(panel)
        if profile:
            for name in ("rho", "omega", "beta"):
                fit.profile_interval(name)
        formation = fit.to_dict()
        if truth is not None:
            for name, value in truth.items():
                if name in formation["params"]:
                    formation["params"][name]["truth"] = value
        result["formation"] = formation
        write_text_atomic(out_dir / "estimates.csv", fit.summary.to_csv(float_format="%.10g"))
    if smm is not None:
        from sidepay.estimate import smm as smm_module

        m_fit = smm(panel, seed=seed_n, payment=payment)
        result["maintenance"] = m_fit.to_dict() if hasattr(m_fit, "to_dict") else m_fit
        to_toml = getattr(smm_module, "world_toml", None)
        if to_toml is not None:
            write_text_atomic(out_dir / "world.toml", to_toml(m_fit))
    text = json.dumps(result, indent=2, sort_keys=True, default=str)
    write_text_atomic(out_dir / "estimates.json", text + "\n")
    if as_json:
        typer.echo(text)
    elif "formation" in result:
        typer.echo(repr(fit))
        typer.echo(fit.summary.round(4).to_string())
        if fit.out_of_range_:
            typer.echo("outside the theory's ranges: " + ", ".join(fit.out_of_range_))
        typer.echo(f"wrote {out_dir / 'estimates.json'}")
    return 0
