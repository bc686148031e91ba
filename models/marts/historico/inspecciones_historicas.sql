-- depends_on: {{ ref('dne_campos') }}
-- The inspection history (Module IV): one row per (inspeccion_id, submateria_id), first-instance rule
-- applied, with the inspection's date, type, subtype, workplace and proceeding type, the items checked
-- (nind), violations (nvio) and violations that stand (nvio_procede), the target (at least one violation
-- that stands) and the CT attributes from DNE_plus (constant over time: the DNE keeps no history), those of the
-- DNE field catalog through the macro atributos_dne.
select
    revision.inspeccion_id,
    revision.submateria_id,
    submateria.submateria,
    submateria.materia_id,
    materia.materia,
    inspecciones.instancia,
    inspecciones.nombre_instancia,
    inspecciones.fecha_inspeccion,
    inspecciones.anio,
    inspecciones.tipo_inspeccion_id,
    inspecciones.tipo_inspeccion,
    inspecciones.subtipo_inspeccion_id,
    inspecciones.subtipo_inspeccion,
    inspecciones.oficina_id,
    inspecciones.centro_trabajo_id,
    revision.tipo_desahogo_id,
    revision.nind,
    revision.nvio,
    revision.nvio_procede,
    revision.nvio_procede > 0 as violacion,
    ct.ct_imss_registro,
    ct.geo2,
    ct.geo5,
    ct.scian2018_2,
    ct.scian2018_3,
    ct.cat_tamanio,
    ct.num_trabajadores,
    {%- for atributo in atributos_dne(derivados=false) %}
    ct.{{ atributo.columna }},
    {%- endfor %}
from {{ ref('int_inspecciones__revision_submateria') }} as revision
inner join {{ ref('int_historico__inspecciones') }} as inspecciones
    on revision.inspeccion_id = inspecciones.inspeccion_id
left join {{ ref('stg_siapi__submateria') }} as submateria on revision.submateria_id = submateria.submateria_id
left join {{ ref('stg_siapi__materia') }} as materia on submateria.materia_id = materia.materia_id
left join {{ ref('dne_plus') }} as ct on inspecciones.centro_trabajo_id = ct.centro_trabajo_id
