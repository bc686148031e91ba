"""The planner's rules as plain values: capacity per office, submateria weights, coverage minimums, a maximum
per municipality, priority workplaces, exploration share and exclusions. Reading them from files is in
`entradas`; solving is in `optimizar`."""

from __future__ import annotations

from dataclasses import dataclass, field

DIMENSIONES = {"scian2018_2": "sector SCIAN", "cat_tamanio": "tamaño"}


class PlanInfactible(Exception):
    """The rules cannot all be met; the message (Spanish) names the rule and the office."""


@dataclass(frozen=True)
class ReglaCobertura:
    """At least `proporcion` of each office's plan has `dimension` = `valor` (a sector or a size class)."""

    dimension: str
    valor: str
    proporcion: float

    @property
    def nombre(self) -> str:
        return f"cobertura mínima {self.proporcion:.0%} de {DIMENSIONES[self.dimension]} {self.valor}"


@dataclass(frozen=True)
class Reglas:
    capacidad: dict[str, int]  # office (geo2) -> inspections available in the period
    pesos: dict[str, float]  # pred_<submateria> -> weight
    cobertura: tuple[ReglaCobertura, ...] = ()
    max_por_municipio: int | None = None
    prioritarios: frozenset[int] = frozenset()
    exploracion: float = 0.0  # share of each office's plan drawn at random
    semilla: int = 1
    periodo: str = ""
    notas: tuple[str, ...] = field(default=(), compare=False)  # where each input came from, for the summary

    def sin(self, regla: str) -> Reglas:
        """The same rules without one of them (to measure what it costs): a coverage rule's name,
        'municipio', 'prioritarios' or 'exploracion'."""
        from dataclasses import replace

        if regla == "municipio":
            return replace(self, max_por_municipio=None)
        if regla == "prioritarios":
            return replace(self, prioritarios=frozenset())
        if regla == "exploracion":
            return replace(self, exploracion=0.0)
        return replace(self, cobertura=tuple(r for r in self.cobertura if r.nombre != regla))
