{#- Months in the IMSS moving average (the manual's configurable window; default 3: May uses March-May).
    Override with `--vars '{imss_ventana_meses: 6}'`. -#}
{% macro imss_ventana_meses() -%}
    {{ var('imss_ventana_meses', 3) | int }}
{%- endmacro %}

{#- Columns every indicator table ends with (DOMAIN.md section 3): when, which model and who. -#}
{% macro columnas_trazabilidad() -%}
    current_timestamp::timestamp as fecha_calculo,
    '{{ this.name }}' as script_calculo,
    '{{ target.get("user") or "sidil" }}' as usuario,
{%- endmacro %}
