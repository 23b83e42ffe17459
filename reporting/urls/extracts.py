"""(placeholder: being built)"""

urlpatterns = []
