{#- The period and the person key of an ENOE table, cleaned the same way in SDEM, COE1 and COE2 so the
    three join: classic keys plus the ENOE-N `tipo` and `mes_cal` (empty text for the classic edition). -#}
{% macro enoe_llaves(tabla) -%}
    {%- set columnas = enoe_columnas(source('enoe', tabla)) -%}
        periodo,
        anio,
        trimestre,
        lpad(trim(ent), 2, '0') as ent,
        trim(cd_a) as cd_a,
        trim(con) as con,
        trim(v_sel) as v_sel,
        trim(n_hog) as n_hog,
        trim(h_mud) as h_mud,
        trim(n_ren) as n_ren,
        coalesce(trim({{ 'tipo' if 'tipo' in columnas else 'null' }}), '') as tipo,
        coalesce(trim({{ 'mes_cal' if 'mes_cal' in columnas else 'null' }}), '') as mes_cal,
{%- endmacro %}
