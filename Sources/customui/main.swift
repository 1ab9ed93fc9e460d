print("customui")
