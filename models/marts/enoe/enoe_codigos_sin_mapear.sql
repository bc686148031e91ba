-- SCIAN-hogares codes (COE1 p4a) of the survey universe that map to no SCIAN 2018 subsector: neither in
-- the seed enoe_scian_hogares nor with a first three digits that are a SCIAN 2018 subsector. One row
-- per quarter and code with the sample persons (n_personas), those of the SIDIL target population
-- (n_poblacion_objetivo) and the expanded persons (n_expandidas, Σ peso). Such persons have no industry
-- (scian2018_3 NULL) and drop out of the sector/subsector levels; this mart makes them visible and a
-- dbt test (severity warn) reports them in every run: add the code to the seed to map it.
select
    periodo,
    p4a,
    count(*) as n_personas,
    count(*) filter (where poblacion_objetivo) as n_poblacion_objetivo,
    sum(peso) as n_expandidas,
from {{ ref('int_enoe__universo') }}
where scian_mapeo = 'sin_mapear'
group by periodo, p4a
