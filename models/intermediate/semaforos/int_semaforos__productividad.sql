-- Labor productivity (spec 004 section 6) per state and quarter (cve_ent '00' = national), pesos of GDP
-- per hour worked:
--     X = (PIBE_hat / 4) x 1,000,000 / hours worked in the quarter
-- PIBE_hat (int_semaforos__pibe_estimado) is a yearly amount in millions of pesos: / 4 gives the
-- quarter, x 1,000,000 pesos. ENOE measures the hours of one reference week (hrsocup): the quarter's
-- hours are the weekly hours x 13 weeks, so numerator and denominator cover the same quarter (the weekly
-- hours alone would give a figure thirteen times too large to be pesos per hour).
with

pibe as (
    select cve_ent, periodo, pibe_estimado_mdp,
    from {{ ref('int_semaforos__pibe_estimado') }}
),

horas as (
    select cve_ent, periodo, anio, trimestre, horas_semana,
    from {{ ref('int_semaforos__enoe_ocupacion') }}
    where horas_semana > 0
)

select
    horas.cve_ent,
    horas.periodo,
    horas.anio,
    horas.trimestre,
    pibe.pibe_estimado_mdp,
    horas.horas_semana * 13 as horas_trimestre,
    (pibe.pibe_estimado_mdp / 4) * 1000000 / (horas.horas_semana * 13) as productividad,
from horas
inner join pibe
    on horas.cve_ent = pibe.cve_ent
    and horas.periodo = pibe.periodo
