-- Items checked and violations per (inspection, submateria), from the inspection's first instance only
-- (the manual's query): valid proceedings (types 1-4) x the submaterias each covers x the items checked in
-- it whose catalog submateria is that submateria, with their qualification when there is one.
-- nind = items checked, nvio = items qualified as violations, nvio_procede = violations that stand
-- (cviol_procede = 1).
with indice as (
    select
        inspeccion_id,
        instancia,
    from {{ ref('int_inspecciones__indice') }}
),

desahogos_validos as (
    select
        desahogo.instancia,
        desahogo.desahogo_id,
        desahogo.inspeccion_id,
        desahogo.tipo_desahogo_id,
    from {{ ref('stg_siapi__desahogo') }} as desahogo
    inner join indice
        on desahogo.inspeccion_id = indice.inspeccion_id
        and desahogo.instancia = indice.instancia
    inner join {{ ref('stg_siapi__tipo_desahogo') }} as tipo
        on desahogo.tipo_desahogo_id = tipo.tipo_desahogo_id
    where tipo.es_desahogo_valido
),

items_revisados as (
    select
        desahogos_validos.instancia,
        desahogos_validos.inspeccion_id,
        alcance.submateria_id,
        desahogos_validos.tipo_desahogo_id,
        revision.revision_id,
    from desahogos_validos
    inner join {{ ref('stg_siapi__dshgo_alcance') }} as alcance
        on desahogos_validos.instancia = alcance.instancia
        and desahogos_validos.desahogo_id = alcance.desahogo_id
    inner join {{ ref('stg_siapi__dshgo_revision') }} as revision
        on desahogos_validos.instancia = revision.instancia
        and desahogos_validos.desahogo_id = revision.desahogo_id
    inner join {{ ref('stg_siapi__indicador') }} as indicador
        on revision.indicador_id = indicador.indicador_id
        and alcance.submateria_id = indicador.submateria_id
),

calificados as (
    select
        items_revisados.instancia,
        items_revisados.inspeccion_id,
        items_revisados.submateria_id,
        items_revisados.tipo_desahogo_id,
        violacion.calif_violacion_id is not null as es_violacion,
        coalesce(violacion.procede, false) as procede,
    from items_revisados
    left join {{ ref('stg_siapi__calif_violacion') }} as violacion
        on items_revisados.instancia = violacion.instancia
        and items_revisados.revision_id = violacion.revision_id
)

select
    inspeccion_id,
    submateria_id,
    any_value(instancia) as instancia,
    min(tipo_desahogo_id) as tipo_desahogo_id,
    count(*) as nind,
    count(*) filter (where es_violacion) as nvio,
    count(*) filter (where procede) as nvio_procede,
from calificados
group by inspeccion_id, submateria_id
