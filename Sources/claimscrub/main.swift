print("claimscrub")
