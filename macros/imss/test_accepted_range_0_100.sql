{#- Generic data test: a column's non-NULL values lie in [0, 100] (the clipped IMSS indices). -#}
{% test accepted_range_0_100(model, column_name) %}
    select {{ column_name }} from {{ model }} where {{ column_name }} < 0 or {{ column_name }} > 100
{% endtest %}
