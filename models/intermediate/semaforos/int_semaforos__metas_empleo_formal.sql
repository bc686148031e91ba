-- Yearly formal-employment goals in force per state ('00' = national): the spec's goal table (seed
-- imss_metas_empleo_formal, 4T 1997 to 1T 2020) where it applies, and after its last period the goals
-- computed by the PEA-share rule (int_semaforos__metas_empleo_pea).
with

tabla as (
    select cve_ent, calculada_en, vigente_desde, vigente_hasta, meta_anual,
    from {{ ref('imss_metas_empleo_formal') }}
),

fin_tabla as (
    select max(vigente_hasta) as ultima_fecha,
    from tabla
),

calculadas as (
    select cve_ent, calculada_en, vigente_desde, vigente_hasta, meta_anual,
    from {{ ref('int_semaforos__metas_empleo_pea') }}
    where vigente_desde > (select ultima_fecha from fin_tabla)
)

select cve_ent, calculada_en, vigente_desde, vigente_hasta, meta_anual, 'tabla de la metodología' as origen,
from tabla
union all
select cve_ent, calculada_en, vigente_desde, vigente_hasta, meta_anual, 'participación en la PEA' as origen,
from calculadas
