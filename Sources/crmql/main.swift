print("crmql")
