-- Submaterias the model learns: listed in seeds/submaterias_modelo.csv with modelar = 'sí' and inspected
-- at least var('min_inspecciones_submateria') times (300 by default) in the history.
with conteo as (
    select submateria_id, count(distinct inspeccion_id) as n_inspecciones,
    from {{ ref('int_inspecciones__revision_submateria') }}
    group by submateria_id
)

select
    submateria.submateria_id,
    submateria.submateria,
    submateria.materia_id,
    coalesce(conteo.n_inspecciones, 0) as n_inspecciones,
    coalesce(modelo.modelar = 'sí', false) as listada,
    coalesce(modelo.modelar = 'sí', false)
        and coalesce(conteo.n_inspecciones, 0) >= {{ var('min_inspecciones_submateria') }} as se_modela,
from {{ ref('stg_siapi__submateria') }} as submateria
left join conteo on submateria.submateria_id = conteo.submateria_id
left join {{ ref('submaterias_modelo') }} as modelo on submateria.submateria_id = modelo.submateria_id
