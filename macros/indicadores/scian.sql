{#- SCIAN sectors split over several 2-digit codes are one sector (DOMAIN.md section 2).
    Before estimating: the sector of a subsector starting with 32/33 is '31', with 49 is '48'. -#}
{% macro scian2_armonizado(scian2, scian3) -%}
    case
        when left({{ scian3 }}, 2) in ('31', '32', '33') then '31'
        when left({{ scian3 }}, 2) in ('48', '49') then '48'
        when {{ scian3 }} is null and {{ scian2 }} in ('32', '33') then '31'
        when {{ scian3 }} is null and {{ scian2 }} = '49' then '48'
        else {{ scian2 }}
    end
{%- endmacro %}

{#- After estimating: rows of levels that use the sector but not the subsector are copied from '31' to
    '32' and '33', and from '48' to '49', so a CT coded with any of the codes finds its estimate.
    `relation` is a CTE or table with columns scian2018_2 and scian2018_3 (NULL when not used). -#}
{% macro copiar_sectores_compuestos(relation) -%}
    select * from {{ relation }}
    union all
    select {{ relation }}.* replace (copia.codigo as scian2018_2)
    from {{ relation }}
    inner join (values ('31', '32'), ('31', '33'), ('48', '49')) as copia (origen, codigo)
        on {{ relation }}.scian2018_2 = copia.origen
    where {{ relation }}.scian2018_3 is null
{%- endmacro %}
