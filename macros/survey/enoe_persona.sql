{#- The ENOE person key once cleaned by `enoe_llaves` (classic keys plus ENOE-N `tipo` and `mes_cal`): the
    key columns to select (staging and the models that join SDEM with COE1), and the join condition. -#}
{% macro enoe_columnas_persona() -%}
    ent, cd_a, con, v_sel, n_hog, h_mud, n_ren, tipo, mes_cal,
{%- endmacro %}

{% macro enoe_misma_persona(a, b) -%}
    {{ a }}.periodo = {{ b }}.periodo
    {%- for columna in ['ent', 'cd_a', 'con', 'v_sel', 'n_hog', 'h_mud', 'n_ren', 'tipo', 'mes_cal'] %}
    and {{ a }}.{{ columna }} = {{ b }}.{{ columna }}
    {%- endfor %}
{%- endmacro %}
