"""REST shape of the programme dashboard (aggregates only)."""

from rest_framework import serializers


class MeanChangeSerializer(serializers.Serializer):
    measure = serializers.CharField()
    mean_change = serializers.FloatField()
    people = serializers.IntegerField()


class ProgrammeFiguresSerializer(serializers.Serializer):
    programme = serializers.IntegerField(source="programme_id")
    name = serializers.CharField()
    referrals = serializers.IntegerField()
    starts = serializers.IntegerField()
    completions = serializers.IntegerField()
    dropouts = serializers.IntegerField()
    mean_sessions = serializers.FloatField(allow_null=True)
    hours = serializers.FloatField()
    mean_changes = serializers.SerializerMethodField()

    def get_mean_changes(self, figures) -> MeanChangeSerializer(many=True):
        return [
            {"measure": name, "mean_change": mean, "people": n}
            for name, mean, n in figures.mean_changes
        ]
