"""(placeholder: being built)"""
