-- The inspection index (DOMAIN.md section 8, manual section on Module IV): each inspection belongs to the
-- first SIAPI-SIPAS instance where it appears, in the manual's order (seeds/siapi_instancias.csv numbers
-- the instances in that order). Its rows in later instances, and everything attached to them, are ignored:
-- later copies can be incomplete or out of date.
with apariciones as (
    select
        inspeccion_id,
        instancia,
    from {{ ref('stg_siapi__inspeccion') }}
),

orden as (
    select
        instancia,
        nombre as nombre_instancia,
    from {{ ref('siapi_instancias') }}
)

select
    apariciones.inspeccion_id,
    min(apariciones.instancia) as instancia,
    arg_min(orden.nombre_instancia, apariciones.instancia) as nombre_instancia,
    count(distinct apariciones.instancia) as n_instancias,
    string_agg(distinct apariciones.instancia::varchar, ',' order by apariciones.instancia::varchar)
        as instancias_donde_aparece,
from apariciones
inner join orden on apariciones.instancia = orden.instancia
group by apariciones.inspeccion_id
