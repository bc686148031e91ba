{#- Survey estimate of a ratio of two ratios and its Taylor-linearised variance (DOMAIN.md section 4;
    INEGI's method: ultimate cluster, with-replacement PSUs, no finite-population correction).

    `unidades`: weighted sums at or below the PSU level with the columns
        dominio_id   integer key of the domain (the caller packs its dimensions into it),
        estrato_id   integer key of the stratum (unique across periods),
        upm_id       integer key of the PSU (unique across periods),
        n            sample persons, and wy1 = Σ w·y1, wx1 = Σ w·x1, wy2 = Σ w·y2, wx2 = Σ w·x2.
    For a domain d:  G = R1 / R2,  R1 = Σ w y1 / Σ w x1,  R2 = Σ w y2 / Σ w x2  (sums over d's persons).
    A mean or a share is y1 = value, x1 = 1, y2 = x2 = 1 (so R2 = 1); a ratio has x1 = the denominator
    variable; the gender income gap is R1 = women's mean income, R2 = men's.
    `estratos`: one row per stratum of the FULL sample: estrato_id, periodo_id and n_upm, its number of
    PSUs (every PSU counts, whether or not it has persons in the domain).

    Linearised variable of person k: z_k = [w_k (y1_k − R1 x1_k) / X1 − G w_k (y2_k − R2 x2_k) / X2] / R2,
    i.e. G (z_R1 / R1 − z_R2 / R2), DOMAIN.md's formula (X1 R1 = Ŷ1, the domain total of y1). It is
    linear in the person's values, so its PSU total is the same expression on the PSU's weighted sums:
        z_hi = [(wy1_hi − R1 wx1_hi) / X1 − G (wy2_hi − R2 wx2_hi) / X2] / R2.
    V = Σ_h n_h / (n_h − 1) Σ_i (z_hi − z̄_h)² over ALL the PSUs of stratum h; PSUs without persons in d
    have z_hi = 0, so with s1_h = Σ_i z_hi and s2_h = Σ_i z_hi² over the PSUs that do,
    Σ_i (z_hi − z̄_h)² = s2_h − s1_h² / n_h. A stratum with a single PSU contributes (z_h − ḡ)²,
    ḡ = Σ z / (PSUs of the period): R survey's lonely.psu = "adjust" (single-PSU strata without persons
    in d contribute ḡ²). ḡ is 0 up to rounding, since Σ z = 0 for a linearised ratio; it is computed
    anyway so that the code is the formula.
    Output, one row per dominio_id: n_muestra (persons), n_upm_dominio (PSUs with persons in d), y1_total,
    x1_total, y2_total, x2_total, estimacion (G), varianza, cv = 100 √V / |G| (NULL when G = 0).
    Domains with X1 = 0, X2 = 0 or Y2 = 0 have no estimate. -#}
{% macro razon_linealizada(unidades, estratos) -%}
    with

    por_upm as (
        select
            dominio_id,
            estrato_id,
            upm_id,
            sum(n) as n,
            sum(wy1) as wy1,
            sum(wx1) as wx1,
            sum(wy2) as wy2,
            sum(wx2) as wx2,
        from {{ unidades }}
        group by dominio_id, estrato_id, upm_id
    ),

    razones as (
        select
            dominio_id,
            sum(n) as n_muestra,
            count(*) as n_upm_dominio,
            sum(wy1) as y1_total,
            sum(wx1) as x1_total,
            sum(wy2) as y2_total,
            sum(wx2) as x2_total,
            sum(wy1) / sum(wx1) as r1,
            sum(wy2) / sum(wx2) as r2,
            (sum(wy1) / sum(wx1)) / (sum(wy2) / sum(wx2)) as estimacion,
        from por_upm
        group by dominio_id
        having sum(wx1) > 0 and sum(wx2) > 0 and sum(wy2) <> 0
    ),

    -- z_hi, the linearised total of each PSU with persons in the domain.
    z_por_upm as (
        select
            por_upm.dominio_id,
            por_upm.estrato_id,
            (
                (por_upm.wy1 - razones.r1 * por_upm.wx1) / razones.x1_total
                - razones.estimacion * (por_upm.wy2 - razones.r2 * por_upm.wx2) / razones.x2_total
            ) / razones.r2 as z,
        from por_upm
        inner join razones
            on por_upm.dominio_id = razones.dominio_id
    ),

    por_estrato as (
        select
            dominio_id,
            estrato_id,
            sum(z) as s1,
            sum(z * z) as s2,
        from z_por_upm
        group by dominio_id, estrato_id
    ),

    periodos as (
        select
            periodo_id,
            sum(n_upm) as n_upm_periodo,
            count(*) filter (where n_upm = 1) as n_estratos_solitarios,
        from {{ estratos }}
        group by periodo_id
    ),

    varianzas as (
        select
            por_estrato.dominio_id,
            -- Strata with several PSUs: n_h / (n_h - 1) (s2 - s1² / n_h).
            coalesce(sum(
                estratos.n_upm / (estratos.n_upm - 1)
                * greatest(por_estrato.s2 - por_estrato.s1 * por_estrato.s1 / estratos.n_upm, 0)
            ) filter (where estratos.n_upm > 1), 0) as varianza_varios,
            -- ḡ: grand mean of the PSU totals of the period (every PSU; 0 up to rounding).
            sum(por_estrato.s1) / any_value(periodos.n_upm_periodo) as z_media_general,
            coalesce(sum(por_estrato.s1 * por_estrato.s1) filter (where estratos.n_upm = 1), 0) as s2_solitarios,
            coalesce(sum(por_estrato.s1) filter (where estratos.n_upm = 1), 0) as s1_solitarios,
            count(*) filter (where estratos.n_upm = 1) as n_solitarios_dominio,
            any_value(periodos.n_estratos_solitarios) as n_estratos_solitarios,
        from por_estrato
        inner join {{ estratos }} as estratos
            on por_estrato.estrato_id = estratos.estrato_id
        inner join periodos
            on estratos.periodo_id = periodos.periodo_id
        group by por_estrato.dominio_id
    )

    select
        razones.dominio_id,
        razones.n_muestra,
        razones.n_upm_dominio,
        razones.y1_total,
        razones.x1_total,
        razones.y2_total,
        razones.x2_total,
        razones.estimacion,
        -- Single-PSU strata: Σ (z_h - ḡ)² over those with persons in d, plus ḡ² for each of the others.
        varianzas.varianza_varios
        + varianzas.s2_solitarios
        - 2 * varianzas.z_media_general * varianzas.s1_solitarios
        + varianzas.n_estratos_solitarios * power(varianzas.z_media_general, 2) as varianza,
        100 * sqrt(varianza) / nullif(abs(razones.estimacion), 0) as cv,
    from razones
    inner join varianzas
        on razones.dominio_id = varianzas.dominio_id
{%- endmacro %}
