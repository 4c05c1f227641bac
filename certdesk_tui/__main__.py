from certdesk_tui.launch import main

main()
