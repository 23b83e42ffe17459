from django.apps import AppConfig
from django.db.models.signals import m2m_changed


def _orders_on_the_plan_case(sender, instance, action, reverse, pk_set, **kwargs):
    """plan.orders.add()/set() bulk-creates links without SafetyPlanOrder.save: refuse an
    order on another case here too."""
    if action != "pre_add" or not pk_set:
        return
    from advocacy.models import SafetyPlan, check_orders_on_plan_case

    if reverse:
        for plan in SafetyPlan.objects.filter(pk__in=pk_set):
            check_orders_on_plan_case(plan, [instance.pk])
    else:
        check_orders_on_plan_case(instance, pk_set)


class AdvocacyConfig(AppConfig):
    name = "advocacy"
    verbose_name = "Victim advocacy"

    def ready(self):
        from advocacy.models import SafetyPlan

        m2m_changed.connect(
            _orders_on_the_plan_case,
            sender=SafetyPlan.orders.through,
            dispatch_uid="advocacy_plan_orders_on_case",
        )
