"""Full screens: the main screen, an image's detail screen and the help screen."""
