-- depends_on: {{ ref('dne_campos') }}
-- DNE workplaces, typed and cleaned. The workplace attributes are the DNE field catalog's (seed
-- dne_campos, rows with a `columna`), each read as its `tipo_dato` says (macro atributos_dne).
{%- set atributos = atributos_dne(derivados=false) %}
-- Codes that do not exist in the INEGI frame or in SCIAN 2018 become
-- NULL (and are flagged) so later steps can enrich them from IMSS; nothing is guessed here.
with fuente as (
    select * from {{ source('dne', 'dne_centro_trabajo') }}
),

tipado as (
    select
        cast(centro_trabajo_id as bigint) as centro_trabajo_id,
        cast(empresa_id as bigint) as empresa_id,
        -- Landed only for personas morales (seeds/datos_personales.csv); the street address is never read.
        ct_nombre as nombre_ct,
        tipo_persona,
        case
            when regexp_full_match(trim(codigo_postal), '[0-9]{4,5}') and trim(codigo_postal) <> '00000'
                then lpad(trim(codigo_postal), 5, '0')
        end as codigo_postal,
        try_cast(entidad_federativa_id as integer) as entidad_id,
        try_cast(municipio_id as integer) as municipio_id,
        nullif(trim(scian_id), '') as scian_clase,
        try_cast(num_trabajadores as integer) as num_trabajadores,
        -- IMSS registro as IMSS writes it: upper case, letters and digits only (dashes, spaces dropped).
        regexp_replace(upper(coalesce(ct_imss_registro, '')), '[^A-Z0-9]', '', 'g') as registro_limpio,
        ct_imss_registro as ct_imss_registro_original,
        {%- for atributo in atributos %}
        {{ atributo_dne_tipado(atributo) }} as {{ atributo.columna }},
        {%- endfor %}
        cast(cast(fecha_alta as timestamp) as date) as fecha_alta,
        cast(cast(fecha_actualizacion as timestamp) as date) as fecha_actualizacion,
        estatus,
    from fuente
),

municipios as (
    select cvegeo from {{ ref('inegi_municipios') }}
),

clases as (
    select codigo from {{ ref('scian2018') }} where nivel = 'clase'
)

select
    tipado.centro_trabajo_id,
    tipado.empresa_id,
    tipado.nombre_ct,
    tipado.tipo_persona,
    tipado.codigo_postal,
    case when tipado.entidad_id between 1 and 32 then lpad(tipado.entidad_id::varchar, 2, '0') end as geo2,
    municipios.cvegeo as geo5,
    clases.codigo as scian_clase,
    left(clases.codigo, 3) as scian2018_3,
    {{ scian2_armonizado('left(clases.codigo, 2)', 'left(clases.codigo, 3)') }} as scian2018_2,
    tipado.num_trabajadores,
    case when regexp_full_match(tipado.registro_limpio, '[A-Z][0-9]{10}') then tipado.registro_limpio end
        as ct_imss_registro,
    tipado.ct_imss_registro_original,
    {%- for atributo in atributos %}
    tipado.{{ atributo.columna }},
    {%- endfor %}
    tipado.fecha_alta,
    tipado.fecha_actualizacion,
    tipado.estatus,
    tipado.entidad_id is not null and tipado.entidad_id not between 1 and 32 as geo2_invalida,
    tipado.municipio_id is not null and municipios.cvegeo is null as geo5_invalida,
    tipado.scian_clase is not null and clases.codigo is null as scian_invalido,
from tipado
left join municipios
    on tipado.entidad_id between 1 and 32
    and municipios.cvegeo = lpad(tipado.entidad_id::varchar, 2, '0') || lpad(tipado.municipio_id::varchar, 3, '0')
left join clases on tipado.scian_clase = clases.codigo
